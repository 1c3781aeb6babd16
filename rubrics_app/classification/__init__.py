"""Classifying what the rules cannot explain: candidates, evidence bundles, proposals, review
and promotion into deterministic rules (README "LLM classification")."""
