def test_carrier_builds(carrier):
    assert carrier["admin"].has_perm("platform.manage_platform")
    assert not carrier["clerk"].has_perm("platform.manage_platform")
    assert carrier.branch.path.startswith(carrier.city.path)
