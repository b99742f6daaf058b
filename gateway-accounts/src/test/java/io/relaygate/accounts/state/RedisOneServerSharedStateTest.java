package io.relaygate.accounts.state;

/**
 * The contract, and the batch's call count, with the state told every key is on one server (standalone or Sentinel):
 * a usage batch, its top lists included, is one batch.lua.
 */
class RedisOneServerSharedStateTest extends RedisSharedStateTest {

    @Override
    boolean oneServer() {
        return true;
    }
}
