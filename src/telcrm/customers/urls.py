"""Customer UI routes (views/ owns them; imports add theirs here)."""

urlpatterns: list = []
