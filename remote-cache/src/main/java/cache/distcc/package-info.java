/**
 * distcc's wire protocol, versions 1 (plain) and 2 ({@code ,lzo}), one copy for both sides: the
 * distributor's client of real {@code distccd} hosts and {@code cached}'s server for real
 * {@code distcc} clients.
 *
 * <p>{@link cache.distcc.DistccRequest} and {@link cache.distcc.DistccReply} are the two
 * messages of a job (one job per connection); {@link cache.distcc.DistccFrames} reads and writes
 * their 12-byte token headers and bodies under {@link cache.distcc.DistccLimits}, and
 * {@link cache.distcc.DistccLzo} is the LZO1X body compression of version 2. Every departure
 * from the format (a wrong token, a value that is not 8 hex digits, a body over its limit, a
 * truncated frame, an undecodable LZO body, version 3) is a {@link
 * cache.distcc.DistccProtocolException} with a message that says which: the caller closes the
 * connection, as distcc does. The format is in {@code docs/distcc-protocol.md}.
 */
package cache.distcc;
