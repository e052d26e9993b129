/**
 * What the farm is doing, for whoever shows it: the table of jobs in flight ({@link
 * cache.distributor.monitor.FarmJobs}, fed by a {@link cache.distributor.JobListener} per job)
 * and distcc's state files written from it ({@link cache.distributor.monitor.DistccStateFiles}),
 * which distcc's own monitors read.
 */
package cache.distributor.monitor;
