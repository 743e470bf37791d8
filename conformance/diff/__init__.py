"""`runconform diff`: what changed between two versions of a vendor's contract, and whom
it breaks (sources -> schemas / operations -> compare, classified by the rule table in
`rules`; `recordings` re-validates a corpus against both; `cases` reports it)."""
