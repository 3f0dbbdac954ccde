cek_status-title = Cek Status Permohonan
cek_status-nomor =
    Mohon ketik nomor tiket. Contoh: *K7Q4-M9XS*.
    Untuk melihat daftar permohonan dari chat ini, ketik *lewati*.
    .label = Nomor tiket
