package dev.interlock.examples.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.interlock.Lease;
import dev.interlock.LockListener;
import dev.interlock.LockManager;
import dev.interlock.LockRequest;
import dev.interlock.examples.TestPlatform;
import dev.interlock.examples.TestWork;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Platform updates: the installed version is read again under the update lock, so an update never downgrades. */
class UpdateIT {
    @TempDir
    Path home;

    @Test
    void anUpdateThatFindsANewerVersionInstalledMeanwhileIsRefused() throws Exception {
        try (TestPlatform p = TestPlatform.create(home, Secret.none(), BackupFormat.TGZ);
             LockManager locks = p.platform().lockManager("update-test", new LockListener() { });
             LockManager other = p.platform().lockManager("other-update", new LockListener() { })) {
            p.seedApp("wiki", 16);
            Operations ops = new Operations(p.platform());
            TestWork work = new TestWork(locks);
            CountDownLatch wantsTheUpdateLock = new CountDownLatch(1);
            WorkContext ctx = new WorkContext() {
                @Override
                public Lease lock(LockRequest request) throws InterruptedException {
                    if (request.locks().containsKey(LockNames.UPDATE)) {
                        wantsTheUpdateLock.countDown();
                    }
                    return work.lock(request);
                }

                @Override
                public void progress(double fraction, String message) {
                    // not looked at
                }

                @Override
                public void note(String message) {
                    work.note(message);
                }
            };
            FutureTask<Operations.FullBackup> update;
            try (Lease otherUpdate = other.acquire(LockRequest.exclusive(LockNames.UPDATE), Duration.ofSeconds(5))) {
                update = new FutureTask<>(() -> ops.update(ctx, "1.1.0", 1024));
                new Thread(update, "update-to-1.1.0").start();
                assertTrue(wantsTheUpdateLock.await(60, TimeUnit.SECONDS), "the update made its backup first");
                // The other update installs 1.2.0 while this one waits for the update lock.
                p.platform().settings().set(Settings.PLATFORM_VERSION, "1.2.0");
            }
            ExecutionException e = assertThrows(ExecutionException.class, () -> update.get(60, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof IllegalStateException, e.getCause().toString());
            assertEquals("not updating to 1.1.0: platform 1.2.0 is installed (updated from 1.0.0 meanwhile), and an"
                    + " update only installs a newer version", e.getCause().getMessage());
            assertEquals("1.2.0", p.platform().settings().platformVersion(), "no downgrade");
            assertFalse(Files.exists(p.platform().home().resolve("platform/1.1.0")), "nothing was installed");

            ops.update(work, "1.10.0", 1024);
            assertEquals("1.10.0", p.platform().settings().platformVersion(), "versions compare part by part, as numbers");
            IllegalStateException same = assertThrows(IllegalStateException.class, () -> ops.update(work, "1.10.0", 1024));
            assertEquals("not updating to 1.10.0: platform 1.10.0 is installed, and an update only installs a newer"
                    + " version", same.getMessage());
        }
    }
}
