# TODO(lead): temporary, while tutor/simulation.py still imports from here.
from tutor.practice.selectors import EARLIER_ITEMS, course_graph  # noqa: F401
