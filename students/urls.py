from django.urls import path

from students import views

app_name = "teach"
urlpatterns = [
    # The teacher's home page ("") belongs to the homework app once it is wired; until then
    # it shows the classrooms. Everything of this app lives under classrooms/.
    path("", views.teach_home, name="home"),
    path("classrooms/", views.classroom_list, name="classrooms"),
    path("classrooms/new/", views.classroom_create, name="classroom_create"),
    path("classrooms/<int:pk>/", views.classroom, name="classroom"),
    path("classrooms/<int:pk>/manage/", views.classroom_manage, name="manage"),
    path("classrooms/<int:pk>/code/", views.classroom_code, name="code"),
    path("classrooms/<int:pk>/students/add/", views.classroom_students_add, name="students_add"),
    path(
        "classrooms/<int:pk>/students/<int:student_id>/remove/",
        views.classroom_student_remove,
        name="student_remove",
    ),
    path("classrooms/<int:pk>/co-teachers/add/", views.classroom_co_teacher_add, name="co_teacher_add"),
    path(
        "classrooms/<int:pk>/co-teachers/<int:teacher_id>/remove/",
        views.classroom_co_teacher_remove,
        name="co_teacher_remove",
    ),
    path("classrooms/<int:pk>/students/<int:student_id>/", views.student_detail, name="student"),
    path("classrooms/<int:pk>/stuck/", views.stuck, name="stuck"),
    path("classrooms/<int:pk>/items/", views.items, name="items"),
]
