package io.atrium.plugins.erp;

import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** The validated settings of the erp plugin: the sources it runs and their options, and the mapping. */
record ErpSettings(Set<String> sources, Mapping mapping, Jdbc jdbc, FileFormat fileFormat, Files files, Sftp sftp,
                   Webhook webhook) {

    /** JDBC polling. */
    record Jdbc(String url, String user, String password, String driver, List<Path> driverPath, String query,
                String watermarkColumn, String keyColumn, String watermarkStart, int batchSize, Duration pollInterval,
                Duration queryTimeout) {
        @Override
        public String toString() {
            return "Jdbc[user=" + user + ", watermarkColumn=" + watermarkColumn + ", keyColumn=" + keyColumn + "]";
        }
    }

    /** How files (local or on SFTP) are read and what happens with their bad rows. */
    record FileFormat(String format, Pattern include, Charset charset, char csvDelimiter, String xmlRecordElement,
                      boolean rejectFileOnBadRows, int batchSize, Duration pollInterval, Duration minAge) {
    }

    /** A local folder. */
    record Files(Path directory, String archiveDirectory, String errorDirectory) {
    }

    /** A folder on an SFTP server. */
    record Sftp(String host, int port, String user, String password, String privateKeyFile, String privateKeyPassphrase,
                String knownHostsFile, boolean strictHostKeyChecking, String directory, String archiveDirectory,
                String errorDirectory) {
        @Override
        public String toString() {
            return "Sftp[" + user + "@" + host + ":" + port + "/" + directory + "]";
        }
    }

    /** The HTTP webhook. */
    record Webhook(String path, String token, String recordsField) {
        @Override
        public String toString() {
            return "Webhook[" + path + "]";
        }
    }
}
