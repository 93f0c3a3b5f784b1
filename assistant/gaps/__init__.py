"""Knowledge gaps for content teams: what callers ask that the knowledge base answers badly or not at all."""
