from rest_framework.views import APIView


class TokenView(APIView):
    pass
