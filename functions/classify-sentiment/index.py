"""Classify sentiment (FunctionGraph document flow): scores a text with the naive Bayes model shipped
in model.json (trained by train.py from corpus.tsv; nothing is downloaded at run time)."""
import json
import math
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
WORD = re.compile(r"[a-z']+")
with open(os.path.join(HERE, "model.json"), encoding="utf-8") as f:
    MODEL = json.load(f)


def classify(text):
    words = WORD.findall(text.lower())
    known = [w for w in words if w in MODEL["likelihood"][MODEL["labels"][0]]]
    scores = {
        label: MODEL["prior"][label] + sum(MODEL["likelihood"][label][w] for w in known)
        for label in MODEL["labels"]
    }
    # Softmax of the log scores: the probability of each label.
    top = max(scores.values())
    exp = {label: math.exp(score - top) for label, score in scores.items()}
    total = sum(exp.values())
    probabilities = {label: round(value / total, 4) for label, value in exp.items()}
    label = max(probabilities, key=probabilities.get)
    return {"label": label, "confidence": probabilities[label], "probabilities": probabilities, "knownWords": len(known), "words": len(words)}


def handler(event, context):
    return classify(event.get("text", ""))
