"""The ingest service: fetch the feed, QA it, store readings and summaries."""
