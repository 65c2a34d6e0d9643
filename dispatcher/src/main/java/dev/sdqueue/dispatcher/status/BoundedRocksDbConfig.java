package dev.sdqueue.dispatcher.status;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.CompressionType;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * One memory budget for every RocksDB instance of the process (each partition's stores, active and standby), instead
 * of Kafka Streams' default of a 50 MB block cache and 3 × 16 MB memtables per instance: a dispatcher hosting 24 store
 * instances would otherwise reserve over a gigabyte off-heap. Index and filter blocks count against the cache too.
 */
public final class BoundedRocksDbConfig implements RocksDBConfigSetter {
    /** Block cache shared by all instances; memtables are charged against it as well. */
    static final long TOTAL_BYTES = 64L * 1024 * 1024;
    static final long MEMTABLE_BYTES = 16L * 1024 * 1024;
    static final long WRITE_BUFFER_BYTES = 4L * 1024 * 1024;

    private static final Cache CACHE = new LRUCache(TOTAL_BYTES, -1, false, 0.1);
    private static final WriteBufferManager WRITE_BUFFERS = new WriteBufferManager(MEMTABLE_BYTES, CACHE);

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(CACHE);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setWriteBufferManager(WRITE_BUFFERS);
        options.setWriteBufferSize(WRITE_BUFFER_BYTES);
        options.setMaxWriteBufferNumber(2);
        // Statuses are JSON (field names, URLs): LZ4 roughly halves the files, so more of a large store stays in the
        // page cache and a restore writes less, for little CPU. Streams leaves compression off.
        options.setCompressionType(CompressionType.LZ4_COMPRESSION);
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {
        // The cache and buffer manager are shared by every store of the process: never closed here.
    }
}
