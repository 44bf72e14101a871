"""UI routes."""

urlpatterns: list = []
