"""The portal's read API, /api/v1/ (Django REST framework + drf-spectacular).

It lives in ``ddkc`` because it reads all three apps — the territory (partners), the strategy tree and the
activities (strategy), indicators and their figures (indicators) — as the sitemap does. It only reads:
every figure comes from the progress engine the dashboard uses (invariant 2), activities are approved
ones only (invariant 1) and evidence is never listed (invariant 12)."""
