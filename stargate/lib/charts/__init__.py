"""Server-rendered SVG charts (`svg`: shared parts; `lines`: lines over time; `bars`: labelled
bars; `strip`: status over time)."""
