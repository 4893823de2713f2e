"""The discover stage: which Wikidata items of a country are its landmarks (Scrapy, SPARQL)."""
