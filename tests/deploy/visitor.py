"""A visitor of the deployment tests: one browser with its own loopback address.

Linux answers on all of 127.0.0.0/8, so a connection made from 127.0.0.2 reaches nginx on
127.0.0.1 and nginx sees 127.0.0.2 as the client: two visitors on two addresses are two
clients, as nginx and the app see them, without anything in between pretending."""

import http.client
import urllib.parse
from dataclasses import dataclass
from http.cookies import SimpleCookie

from tests.factories import DEFAULT_PASSWORD

LOGIN = "/accounts/login/"
WRONG_CREDENTIALS = "The email address and/or password you specified are not correct."
LOCKED_OUT = "Too many failed login attempts"


@dataclass
class Response:
    status: int
    location: str
    text: str


class Visitor:
    """Requests from ``address`` to 127.0.0.1:``port`` (or another port given per request),
    keeping cookies as a browser does for one host, and sending the CSRF token with forms."""

    def __init__(self, address: str, port: int) -> None:
        self.address = address
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        *,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        port: int | None = None,
    ) -> Response:
        port = port or self.port
        connection = http.client.HTTPConnection(
            "127.0.0.1", port, timeout=30, source_address=(self.address, 0)
        )
        sent = {"Host": f"127.0.0.1:{port}", "Connection": "close", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Response(response.status, response.headers.get("Location", ""), text)

    def get(self, path: str, **options) -> Response:
        return self.request("GET", path, **options)

    def post(self, path: str, form: dict[str, str], **options) -> Response:
        """POST a form with the CSRF token; the form's page is read first when no CSRF
        cookie has been set yet."""
        if "csrftoken" not in self.cookies:
            self.get(path, port=options.get("port"))
        return self.request(
            "POST", path, form={**form, "csrfmiddlewaretoken": self.cookies["csrftoken"]}, **options
        )

    def sign_in(self, email: str, password: str = DEFAULT_PASSWORD, **options) -> Response:
        return self.post(LOGIN, {"login": email, "password": password}, **options)
