from django.urls import path

app_name = "teach"
urlpatterns: list = []
