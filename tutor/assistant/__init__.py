"""The teaching assistant: conversations, retrieval-backed replies that teach from the
course without giving away an open answer, the chat consumer, and the teacher joining a
conversation. A Django app of its own (label ``assistant``) inside the tutor."""
