def client_ip(request):
    """The client's address, as seen through the configured number of trusted proxies.

    Each proxy appends the address it received the request from to X-Forwarded-For, so the
    N-th address from the right is the one the outermost trusted proxy saw. Anything left
    of it may have been written by the client and is not trusted.
    """
    from django.conf import settings

    count = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR", "")
    if count <= 0:
        return remote
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chain = [part for part in chain if part]
    return chain[-count] if len(chain) >= count else remote
