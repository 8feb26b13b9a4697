from django.urls import path

from . import views

app_name = "curriculum"

urlpatterns = [
    path("", views.index, name="index"),
    path("progress/", views.progress, name="progress"),
    path("community-models/", views.community_models, name="community_models"),
    path("themes/<slug:slug>/", views.theme_detail, name="theme_detail"),
    path("courses/<slug:slug>/", views.course_detail, name="course_detail"),
    path("lessons/<slug:slug>/", views.lesson_detail, name="lesson_detail"),
    path("lessons/<slug:slug>/done/", views.lesson_mark_done, name="lesson_mark_done"),
    path("lessons/<slug:slug>/undo/", views.lesson_undo, name="lesson_undo"),
]
