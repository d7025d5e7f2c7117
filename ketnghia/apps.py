"""The libraries' applications under Vietnamese names in the administration (their own
names are plain strings, not translatable)."""

from axes.apps import AppConfig as AxesConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class LoginAttemptsConfig(AxesConfig):
    verbose_name = _("Sign-in attempts")


class BackgroundTasksConfig(TasksAppConfig):
    verbose_name = _("Background tasks")
