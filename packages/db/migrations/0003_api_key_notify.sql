-- API keys are cached in each api process; any change that can alter an answer (a new key, a
-- revocation, other scopes or rate, a rotated hash) tells every process to drop its cache.
CREATE FUNCTION deskgate_api_keys_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('deskgate_api_keys', '');
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER api_keys_changed
AFTER INSERT OR DELETE OR UPDATE OF key_hash, scopes, revoked_at, rate_limit_per_minute, name ON api_keys
FOR EACH STATEMENT EXECUTE FUNCTION deskgate_api_keys_changed();
