//! Runs every case of `pinata_e2e::cases` through both transports: `hyper::<case>` and `ureq::<case>`.

macro_rules! suite {
    ($($case:ident),* $(,)?) => {
        mod hyper {
            $(
                #[test]
                fn $case() {
                    pinata_e2e::cases::$case(&pinata_e2e::HyperDriver);
                }
            )*
        }
        mod ureq {
            $(
                #[test]
                fn $case() {
                    pinata_e2e::cases::$case(&pinata_e2e::UreqDriver);
                }
            )*
        }
    };
}

suite!(
    good_credentials_authenticate,
    key_pair_authenticates,
    jwt_authenticates,
    minted_jwt_authenticates,
    new_key_authenticates_with_both_schemes,
    v3_prefixed_base_url_works,
    wrong_secret_is_invalid_credentials,
    unknown_key_is_invalid_credentials,
    forged_jwt_is_invalid_credentials,
    tampered_jwt_is_invalid_credentials,
    expired_jwt_is_refused,
    missing_credentials_is_401,
    half_a_key_pair_is_400,
    malformed_bearer_is_401,
    revoked_key_is_403_for_both_schemes,
    non_admin_key_cannot_manage_keys,
    key_lifecycle_legacy,
    key_lifecycle_v3,
    max_uses_key_is_exhausted_at_its_limit,
    max_uses_is_exact_under_concurrency,
    listing_pages_and_filters,
    server_rejects_invalid_key_requests,
    unknown_path_is_json_404,
    pin_file_round_trip,
    pin_folder_round_trip,
    pin_json_round_trip,
    pin_metadata_and_filters,
    unpin_usage_and_duplicates,
    pin_by_hash_jobs,
    upload_errors,
    scoped_key_may_pin_json_but_not_files,
    a_file_that_changes_fails_the_upload,
    cid_mismatch_is_a_typed_error,
    a_shared_upload_request_verifies_each_call,
    cid_of_a_file,
    cid_of_a_folder,
    local_refusals,
    fault_matrix_safe_requests,
    fault_matrix_unsafe_requests,
    fault_matrix_limits,
    timeouts_fire_within_budget,
    rate_limit_headers_and_429,
    stalled_upload_retries_only_when_opted_in,
    bad_credentials_are_refused_at_construction,
    plain_http_to_remote_host_is_refused,
    a_host_name_is_looked_up,
    redirect_is_not_followed,
    connection_refused_is_a_connect_error,
    failures_are_the_same_error_on_every_transport,
    v3_groups_lifecycle,
    v3_groups_scopes_and_schemes,
    v3_pin_by_cid_queue_and_cancel,
    legacy_groups_lifecycle,
    v3_files_lifecycle,
    v3_folder_uploads,
    v3_private_round_trip,
    v3_signed_upload_urls,
    v3_files_scopes,
    v3_files_in_groups,
    v3_downloads_stream_to_disk,
    v3_swaps_and_signatures,
    v3_expiring_files,
    localhost_is_checked_by_its_addresses,
    loopback_only_requests_never_leave_for_other_addresses,
    server_text_in_errors_is_escaped_and_redacted,
    a_fifo_is_refused_before_anything_is_read,
    a_file_swapped_for_a_fifo_fails_the_upload_fast,
    tls_handshake_failure_is_a_tls_error,
    stalled_tls_handshake_is_a_connect_timeout,
    silent_server_times_out,
    oversized_response_is_refused,
    every_error_body_shape_decodes,
    transport_sends_the_core_request,
);
