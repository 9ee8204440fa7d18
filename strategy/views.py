from django.shortcuts import render

from partners.models import LAG

from .models import Strategy


def home(request):
    strategy = Strategy.objects.current()
    context = {
        "strategy": strategy,
        "priorities": strategy.priorities.all() if strategy else [],
        "lags": LAG.objects.all(),
    }
    return render(request, "strategy/home.html", context)
