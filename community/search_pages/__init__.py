"""Search pages: the results page with facets, as-you-type suggestions and the JSON API."""
