# Status tiket dan pesan nomor tiket tidak valid.
# Pemanggil mengisi argumen penjelasan: diproses { $opd }, siap_diambil { $tempat },
# ditolak { $alasan }, dialihkan { $instansi }.

status-diterima = Diterima
status-diterima-explain = Permohonan sudah kami terima dan menunggu pemeriksaan.
status-diverifikasi = Diverifikasi
status-diverifikasi-explain = Petugas sedang memeriksa kelengkapan berkas.
status-perlu_perbaikan = Perlu Perbaikan
status-perlu_perbaikan-explain = Mohon lengkapi data atau berkas sesuai catatan petugas.
status-diproses = Diproses
status-diproses-explain = Berkas lengkap dan sedang dikerjakan oleh { $opd }.
status-siap_diambil = Siap Diambil
status-siap_diambil-explain = Dokumen sudah jadi, silakan ambil di { $tempat }.
status-selesai = Selesai
status-selesai-explain = Permohonan telah selesai.
status-ditolak = Ditolak
status-ditolak-explain = Permohonan tidak dapat diproses: { $alasan }.
status-dialihkan = Dialihkan
status-dialihkan-explain = Bukan kewenangan kami; silakan hubungi { $instansi }.
status-dibatalkan = Dibatalkan
status-dibatalkan-explain = Permohonan dibatalkan.

invalid-ticket-length =
    Mohon maaf, nomor tiket terdiri dari 8 huruf dan angka, misalnya *K7Q4-M9XS*.
    Mohon periksa kembali nomor yang Bapak/Ibu ketik.
invalid-ticket-symbol =
    Mohon maaf, nomor tiket tidak memakai angka 0 dan 1 maupun huruf O, I, dan L.
    Mohon periksa kembali nomor yang Bapak/Ibu ketik, misalnya *K7Q4-M9XS*.
invalid-ticket-check =
    Mohon maaf, nomor tiket tersebut tidak valid; mungkin ada huruf atau angka yang salah ketik.
    Mohon periksa kembali nomor yang Bapak/Ibu ketik, misalnya *K7Q4-M9XS*.
