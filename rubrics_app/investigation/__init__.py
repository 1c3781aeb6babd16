"""The investigation agent: a bounded, read-only tool loop on one failed lab (README
"Investigation"). `tools` are the structured functions the model may call; `agent` runs the loop;
`services` starts a run (a django-q2 task, never in the request)."""
