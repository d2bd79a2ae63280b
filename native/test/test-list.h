/*
 * test-list.h - every C test, once, in run order. Adding a test: write
 * `int test_<name>(void)` in a test-*.c file and add TEST(<name>) here.
 * TEST_NOT_WINDOWS(<name>, "<reason>"): the test does not apply to the Windows build
 * (`make check-wine`), which lists it as skipped with that reason; it is not compiled
 * there. TEST_WINDOWS_ONLY(<name>): the reverse (test-windows.c).
 */
#ifndef KQ_TEST_LIST_REASONS
#define KQ_TEST_LIST_REASONS
#define NO_SIGNALS \
  "no POSIX signals on Windows: kq_poller_watch_signals and kq_signal_* are -EOPNOTSUPP"
#define NO_UNIX "Unix domain sockets are not ported to Windows: -EOPNOTSUPP"
#define NO_UDP "UDP is not ported to Winsock yet: -EOPNOTSUPP"
#endif
TEST(poller_open_close)
TEST(poller_reserved_tokens)
TEST(poller_wake_from_thread)
TEST(poller_wake_coalesces)
TEST(timer_fires_not_before_deadline)
TEST(timer_zero_fires_at_once)
TEST(timer_disarm)
TEST(timer_rearm_replaces)
TEST(tcp_read_write_events)
TEST(tcp_edge_triggered)
TEST(tcp_shutdown_write_hangup)
TEST(tcp_connect_refused_events)
TEST_NOT_WINDOWS(tcp_number_reused_after_close,
                 "Windows hands out handle values, not the lowest free number this test reuses")
TEST(tcp_interest_read_only)
TEST(tcp_small_batches_lose_nothing)
TEST(tcp_answer_and_close_during_connect)
TEST(tcp_listener_readable_per_connection)
TEST(tcp_writable_again_after_full)
TEST_NOT_WINDOWS(signal_names, NO_SIGNALS)
TEST_NOT_WINDOWS(signal_refused, NO_SIGNALS)
TEST_NOT_WINDOWS(signal_delivered_as_event, NO_SIGNALS)
TEST_NOT_WINDOWS(signal_one_watcher, NO_SIGNALS)
TEST(socket_connect_refused)
TEST(socket_bind_addr_in_use)
TEST(socket_accept_batch)
TEST(socket_readv_writev)
TEST(socket_read_into_range)
TEST_NOT_WINDOWS(socket_sendfile,
                 "kq_sendfile is -EOPNOTSUPP on Windows")
TEST(socket_options)
TEST(socket_tcp_tuning_options)
TEST(socket_closed_fd_ebadf)
TEST_NOT_WINDOWS(file_open_read,
                 "files and pipes are not polled nor opened here on Windows: -EOPNOTSUPP")
TEST_NOT_WINDOWS(unix_path_names_and_bytes, NO_UNIX)
TEST_NOT_WINDOWS(unix_peer_credentials, NO_UNIX)
TEST_NOT_WINDOWS(unix_abstract_names, NO_UNIX)
TEST_NOT_WINDOWS(unix_name_errors, NO_UNIX)
TEST_NOT_WINDOWS(unix_existing_file, NO_UNIX)
TEST_NOT_WINDOWS(unix_connect_errors, NO_UNIX)
TEST_NOT_WINDOWS(unix_permission_denied, NO_UNIX)
TEST_NOT_WINDOWS(unix_backlog_full, NO_UNIX)
TEST_NOT_WINDOWS(unix_readiness_events, NO_UNIX)
TEST_NOT_WINDOWS(dgram_batch_send_receive, NO_UDP)
TEST_NOT_WINDOWS(dgram_truncated, NO_UDP)
TEST_NOT_WINDOWS(dgram_size_limit, NO_UDP)
TEST_NOT_WINDOWS(dgram_ipv6, NO_UDP)
TEST_NOT_WINDOWS(dgram_connected_refused, NO_UDP)
TEST_NOT_WINDOWS(dgram_options, NO_UDP)
TEST_NOT_WINDOWS(dgram_multicast_membership, NO_UDP)
TEST_NOT_WINDOWS(dgram_bad_arguments, NO_UDP)
TEST_WINDOWS_ONLY(windows_unsupported)
