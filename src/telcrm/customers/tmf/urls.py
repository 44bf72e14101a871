"""TM Forum Open APIs: TMF629 customer, TMF632 party, TMF666 account."""

urlpatterns: list = []
