"""The secret key of the tests' apps, servers and consumers: long enough for the app to accept
it, and one for all, so a test's own app and a server it starts sign the same links."""

TEST_SECRET_KEY = "tests-only-secret-key-4f1d9c2a7b6e8d3c5a0f9e1b2d7c4a86"
