"""TMF620 Product Catalog Management v4 routes."""

urlpatterns: list = []
