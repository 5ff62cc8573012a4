"""Homework: assignments of exercises to a classroom with opening and due dates, students'
submissions, the teacher's review queue of auto-graded answers, grade release and the
gradebook. A Django app of its own (label ``homework``) inside the tutor."""
