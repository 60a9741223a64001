"""Trains the sentiment model shipped with the function: multinomial naive Bayes over the words of
corpus.tsv (label TAB sentence), Laplace smoothing. Writes model.json. Run it again after editing the
corpus: python3 train.py"""
import json
import math
import os
import re
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
WORD = re.compile(r"[a-z']+")


def tokens(text):
    return WORD.findall(text.lower())


def train(path):
    counts = {}
    documents = Counter()
    for line in open(path, encoding="utf-8"):
        if not line.strip():
            continue
        label, sentence = line.rstrip("\n").split("\t", 1)
        documents[label] += 1
        counts.setdefault(label, Counter()).update(tokens(sentence))
    vocabulary = sorted(set().union(*counts.values()))
    total_documents = sum(documents.values())
    model = {"labels": sorted(counts), "prior": {}, "likelihood": {}, "unknown": {}}
    for label, words in counts.items():
        total = sum(words.values()) + len(vocabulary)
        model["prior"][label] = math.log(documents[label] / total_documents)
        model["likelihood"][label] = {w: round(math.log((words[w] + 1) / total), 6) for w in vocabulary}
        model["unknown"][label] = math.log(1 / total)
    return model


if __name__ == "__main__":
    model = train(os.path.join(HERE, "corpus.tsv"))
    with open(os.path.join(HERE, "model.json"), "w", encoding="utf-8") as out:
        json.dump(model, out, indent=0, sort_keys=True)
    print(f"{len(model['likelihood'][model['labels'][0]])} words, labels {model['labels']}")
