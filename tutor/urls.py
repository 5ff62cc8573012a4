from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from tutor import health, security, views

urlpatterns = [
    path("", views.home, name="home"),
    # The log-in page with its limits on failed attempts (tutor/security.py), before Django's.
    path("accounts/login/", security.LoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    # Homework before the students app: its "teach/" (the teacher's home) wins.
    path("", include("tutor.homework.urls")),
    path("learn/assistant/", include("tutor.assistant.urls")),
    path("teach/conversations/", include("tutor.assistant.teach_urls")),
    path("learn/", include("students.learn_urls")),
    path("learn/", include("tutor.practice.urls")),
    path("teach/", include("students.urls")),
    path("models/", include("modeling.urls")),
    path("api/", include("tutor.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]

# Errors answered as JSON under /api/ and as the site's pages elsewhere (tutor/errors.py).
handler400 = "tutor.errors.handler400"
handler403 = "tutor.errors.handler403"
handler404 = "tutor.errors.handler404"
handler500 = "tutor.errors.handler500"
