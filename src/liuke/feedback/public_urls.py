from django.urls import path

from liuke.feedback import views_public

app_name = "feedback_public"
urlpatterns = [
    path("s/<str:token>/", views_public.survey, name="survey"),
    path("b/<str:token>/", views_public.box, name="box"),
]
