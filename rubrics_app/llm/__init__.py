"""LLM classification's foundation: prompts (`rubrics_app.prompts`), the client, budget and breaker,
the quality gate, the failure signature and the answer cache."""
