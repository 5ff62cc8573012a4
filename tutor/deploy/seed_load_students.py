"""Students for the load test, read by ``manage.py shell`` (bench_load.sh): LOAD_STUDENTS
accounts named LOAD_USERNAME_PREFIX1..N with the password LOAD_PASSWORD. The password is
hashed once and the hash shared: hashing it 200 times would take a minute of CPU. Safe to
run twice."""

import os

from django.contrib.auth import get_user_model

from students import services

prefix = os.environ.get("LOAD_USERNAME_PREFIX", "load-student-")
count = int(os.environ["LOAD_STUDENTS"])
first = services.user_ensure(f"{prefix}1", role="student", password=os.environ["LOAD_PASSWORD"])
User = get_user_model()
names = [f"{prefix}{n}" for n in range(2, count + 1)]
existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
User.objects.bulk_create(
    [User(username=name, role=first.role, password=first.password) for name in names if name not in existing]
)
User.objects.filter(username__in=names).update(password=first.password, role=first.role, is_active=True)
print(f"{count} load-test students ready ({prefix}1..{count})")
