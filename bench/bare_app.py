"""A bare Flask app: the floor every page is compared with, served by the same gunicorn, hit by the same load."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def bare():
    return "ok"
