"""The CTK runner's wrapper collection (scripts/ctk.py): official items unchanged, our token added."""

from __future__ import annotations

import json

import pytest
from scripts import ctk


@pytest.mark.parametrize("api", sorted(ctk.KITS))
def test_wrapper_keeps_the_official_items_and_adds_the_token(api):
    path, key, prefix = ctk.KITS[api]
    source = ctk.SHARED / path
    if not source.exists():
        pytest.skip(f"{source} is not available")
    before = source.read_bytes()
    official = json.loads(before)
    wrapper = ctk.wrapper_collection(official, api)
    assert wrapper["item"] == official["item"]
    assert "NOT a TM Forum file" in wrapper["info"]["description"]
    script = "\n".join(wrapper["event"][0]["script"]["exec"])
    assert wrapper["event"][0]["listen"] == "prerequest"
    assert "Authorization" in script and "Bearer" in script
    assert f"{{{{{key}}}}}" in json.dumps(official["item"])  # the kit's URLs start with our env key
    assert prefix.endswith("/")  # the kits put no slash between the key and the resource
    wrapper["item"].clear()
    assert source.read_bytes() == before and official["item"]  # the official data is never changed
