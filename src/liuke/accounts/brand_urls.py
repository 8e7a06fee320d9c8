"""The salon's logo, public (its customers' pages show it)."""

from django.urls import path

from liuke.accounts import views_brand

app_name = "brand"
urlpatterns = [
    path("<int:business_id>/logo.png", views_brand.brand_logo, name="logo"),
]
