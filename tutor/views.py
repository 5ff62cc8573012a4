from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from students.access import home_url_for


@login_required
def home(request):
    """Each role lands on its own home page."""
    return redirect(home_url_for(request.user))
