/*
 * struct tcp_info (getsockopt(fd, IPPROTO_TCP, TCP_INFO, ...)), as of
 * Linux 6.1; a shorter struct from an older kernel shows the fields it
 * has.  The state names are the kernel's (include/net/tcp_states.h).
 */
#include "decode.h"

static const char *const states[] = {
	"0", "TCP_ESTABLISHED", "TCP_SYN_SENT", "TCP_SYN_RECV",
	"TCP_FIN_WAIT1", "TCP_FIN_WAIT2", "TCP_TIME_WAIT", "TCP_CLOSE",
	"TCP_CLOSE_WAIT", "TCP_LAST_ACK", "TCP_LISTEN", "TCP_CLOSING",
	"TCP_NEW_SYN_RECV", NULL
};
static const char *const ca_states[] = {
	"TCP_CA_Open", "TCP_CA_Disorder", "TCP_CA_CWR", "TCP_CA_Recovery",
	"TCP_CA_Loss", NULL
};

#define U8(n) { n, FT_U8, SH_DEC, 0, NULL, NULL, 0, 0, 0, NULL }
#define U32(n) { n, FT_U32, SH_DEC, 0, NULL, NULL, 0, 0, 0, NULL }
#define U64(n) { n, FT_U64, SH_DEC, 0, NULL, NULL, 0, 0, 0, NULL }
#define BITS(n, b, w, fl) { n, FT_U8, SH_DEC, 0, NULL, NULL, b, w, fl, NULL }

static const struct field tcp_info_f[] = {
	{ "tcpi_state", FT_U8, SH_NAMES, 0, NULL, NULL, 0, 0, 0, states },
	{ "tcpi_ca_state", FT_U8, SH_NAMES, 0, NULL, NULL, 0, 0, 0, ca_states },
	U8("tcpi_retransmits"), U8("tcpi_probes"), U8("tcpi_backoff"),
	{ "tcpi_options", FT_U8, SH_SYM, 0, "tcpi_options", NULL, 0, 0, 0, NULL },
	BITS("tcpi_snd_wscale", 0, 4, 0), BITS("tcpi_rcv_wscale", 4, 4, FF_SAME),
	BITS("tcpi_delivery_rate_app_limited", 0, 1, 0),
	BITS("tcpi_fastopen_client_fail", 1, 2, FF_SAME),
	U32("tcpi_rto"), U32("tcpi_ato"), U32("tcpi_snd_mss"),
	U32("tcpi_rcv_mss"), U32("tcpi_unacked"), U32("tcpi_sacked"),
	U32("tcpi_lost"), U32("tcpi_retrans"), U32("tcpi_fackets"),
	U32("tcpi_last_data_sent"), U32("tcpi_last_ack_sent"),
	U32("tcpi_last_data_recv"), U32("tcpi_last_ack_recv"),
	U32("tcpi_pmtu"), U32("tcpi_rcv_ssthresh"), U32("tcpi_rtt"),
	U32("tcpi_rttvar"), U32("tcpi_snd_ssthresh"), U32("tcpi_snd_cwnd"),
	U32("tcpi_advmss"), U32("tcpi_reordering"), U32("tcpi_rcv_rtt"),
	U32("tcpi_rcv_space"), U32("tcpi_total_retrans"),
	U64("tcpi_pacing_rate"), U64("tcpi_max_pacing_rate"),
	U64("tcpi_bytes_acked"), U64("tcpi_bytes_received"),
	U32("tcpi_segs_out"), U32("tcpi_segs_in"), U32("tcpi_notsent_bytes"),
	U32("tcpi_min_rtt"), U32("tcpi_data_segs_in"),
	U32("tcpi_data_segs_out"), U64("tcpi_delivery_rate"),
	U64("tcpi_busy_time"), U64("tcpi_rwnd_limited"),
	U64("tcpi_sndbuf_limited"), U32("tcpi_delivered"),
	U32("tcpi_delivered_ce"), U64("tcpi_bytes_sent"),
	U64("tcpi_bytes_retrans"), U32("tcpi_dsack_dups"),
	U32("tcpi_reord_seen"), U32("tcpi_rcv_ooopack"), U32("tcpi_snd_wnd"),
};
static const struct sdesc tcp_info_d = { "tcp_info", tcp_info_f,
					  NFIELDS(tcp_info_f) };

static const struct sdesc *tcp_info(const struct sys_abi *abi)
{
	(void)abi;
	return &tcp_info_d;
}

static const struct dstruct structs[] = {
	{ "tcp_info", tcp_info, NULL, NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

const struct decoder decoder_tcp = { "tcp", structs, NULL };
