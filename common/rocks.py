"""RocksDB table options shared by the stores of the worker and of the command API."""

from rocksdict import BlockBasedOptions, Cache


def lookup_table(cache: Cache) -> BlockBasedOptions:
    """Bloom filters, cached with the index blocks: most lookups are for keys that are not there (a command id
    never decided before), and without a filter each miss searches every level of the files (tens of
    microseconds at a few hundred thousand keys, milliseconds once a folder holds gigabytes), holding the
    interpreter lock all the while."""
    table = BlockBasedOptions()
    table.set_bloom_filter(10, False)
    table.set_block_cache(cache)
    table.set_cache_index_and_filter_blocks(True)
    return table
