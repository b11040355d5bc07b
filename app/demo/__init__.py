"""The demo: ``seed.py`` creates organisations, people, evaluations and three vendors' responses
(``flask seed-demo``); ``answers.py`` generates the vendors' answers from the questionnaire.

Importing the package loads only the pure answer generator; ``app.demo.seed`` touches the database.
"""

from app.demo.answers import VENDOR_PROFILES, VendorProfile, demo_answer, demo_requirements

DEMO_PASSWORD = "datavet-demo-2026"

__all__ = ["DEMO_PASSWORD", "VENDOR_PROFILES", "VendorProfile", "demo_answer", "demo_requirements"]
