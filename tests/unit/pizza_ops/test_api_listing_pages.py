"""Finding a deployed API by name reads every page of GetApis, so a redeploy never makes a second one."""

from __future__ import annotations

from typing import Any

from pizza_ops.deploy.websocket_apis import all_apis


class PagedApis:
    """GetApis over three pages of two APIs each."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    def get_apis(self, **request: Any) -> dict[str, Any]:
        self.requests.append(request)
        page = int(request.get("NextToken", "0"))
        items = [{"Name": f"api-{page * 2 + i}", "ApiId": f"id-{page * 2 + i}"} for i in range(2)]
        return {"Items": items, **({"NextToken": str(page + 1)} if page < 2 else {})}


def test_every_page_of_apis_is_read() -> None:
    # Given an account whose APIs come in three pages
    apigw = PagedApis()

    # When the deployer lists them
    apis = all_apis(apigw)

    # Then it has all six, the last from the third page, asked for with each page's token
    assert [api["Name"] for api in apis] == [f"api-{i}" for i in range(6)]
    assert apigw.requests == [{}, {"NextToken": "1"}, {"NextToken": "2"}]
