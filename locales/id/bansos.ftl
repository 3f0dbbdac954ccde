bansos-title = Bantuan Sosial (Bansos)
bansos-intro =
    Baik, Bapak/Ibu. Permohonan ini akan diteruskan ke Dinas Sosial dan tidak dipungut biaya.
    Penerima bantuan sosial ditetapkan berdasarkan Data Tunggal Sosial dan Ekonomi Nasional (DTSEN), sehingga kami tidak dapat menjanjikan bantuan.
    Sebelum mulai, mohon siapkan NIK dan nomor Kartu Keluarga.
bansos-keperluan = Apa keperluan Bapak/Ibu? Mohon ketik nomor pilihan.
    .label = Keperluan
bansos-keperluan-cek_penerima = Cek apakah terdaftar sebagai penerima
bansos-keperluan-usul_baru = Usulan menjadi penerima baru
bansos-keperluan-keluhan = Keluhan (bantuan tidak cair, terhenti, atau tidak tepat sasaran)
bansos-jenis = Bantuan apa yang dimaksud? Mohon ketik nomor pilihan.
    .label = Jenis bantuan
bansos-jenis-pkh = PKH (Program Keluarga Harapan)
bansos-jenis-bpnt = BPNT atau Kartu Sembako
bansos-jenis-pbi_jk = BPJS Kesehatan yang iurannya ditanggung pemerintah (PBI-JK)
bansos-jenis-blt = BLT (Bantuan Langsung Tunai)
bansos-jenis-lainnya = Lainnya atau tidak tahu
bansos-nik = Mohon ketik NIK Bapak/Ibu (16 angka). Contoh: *6409011708900001*.
    .label = NIK
bansos-nama = Mohon ketik nama lengkap Bapak/Ibu sesuai KTP-el.
    .label = Nama lengkap
bansos-no_kk = Mohon ketik nomor Kartu Keluarga (16 angka). Contoh: *6409012005150003*.
    .label = Nomor KK
bansos-jalan = Mohon ketik alamat tempat tinggal: nama jalan dan nomor rumah. Contoh: *Jl. Merdeka No. 12*.
    .label = Alamat
bansos-rt_rw =
    Mohon ketik RT dan RW tempat tinggal. Contoh: *RT 003 RW 005*.
    Bila hanya ada RT, ketik RT saja, misalnya *RT 12*.
    .label = RT/RW
bansos-desa_kel = Mohon ketik nama desa atau kelurahan tempat tinggal. Contoh: *Nipah-Nipah*.
    .label = Desa/kelurahan
bansos-kecamatan = Di kecamatan mana Bapak/Ibu tinggal? Mohon ketik nomor pilihan.
    .label = Kecamatan
bansos-kecamatan-babulu = Babulu
bansos-kecamatan-penajam = Penajam
bansos-kecamatan-sepaku = Sepaku
bansos-kecamatan-waru = Waru
bansos-kode_pos = Mohon ketik kode pos tempat tinggal (5 angka). Contoh: *76144*. Bila tidak tahu, ketik *lewati*.
    .label = Kode pos
bansos-keterangan =
    Bila ada keterangan tambahan, mohon ketik singkat. Contoh: *Bantuan PKH tidak cair sejak Agustus 2026*.
    Bila tidak ada, ketik *lewati*.
    .label = Keterangan
bansos-ringkasan = Mohon periksa kembali data permohonan bansos berikut:
