"""`airq-worker`: the SQS-fed export worker (DESIGN §6). See loop.py for its delivery semantics."""
