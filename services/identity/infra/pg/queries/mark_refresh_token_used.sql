UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1
