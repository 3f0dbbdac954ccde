lapor_infrastruktur-title = Laporan Jalan, Lampu Jalan, Saluran, dan Sampah
lapor_infrastruktur-intro =
    Baik, Bapak/Ibu. Sebelum mulai, mohon siapkan:
    - satu foto yang jelas dari kerusakan atau masalahnya
    - lokasi tempat tersebut (kirim lokasi dari HP)
    - patokan di dekat lokasi, misalnya nama toko, masjid, atau sekolah
    Laporan tentang jalan nasional atau jalan provinsi akan kami teruskan ke instansi yang berwenang.
    Bila ada bahaya bagi jiwa saat ini, segera telepon *112* (gratis, 24 jam).
lapor_infrastruktur-jenis = Apa yang ingin Bapak/Ibu laporkan? Mohon ketik nomor pilihan.
    .label = Jenis laporan
lapor_infrastruktur-jenis-jalan_rusak = Jalan rusak atau berlubang
lapor_infrastruktur-jenis-jembatan = Jembatan rusak
lapor_infrastruktur-jenis-lampu_jalan = Lampu jalan (PJU) mati
lapor_infrastruktur-jenis-drainase_banjir = Saluran air tersumbat, genangan, atau banjir
lapor_infrastruktur-jenis-sampah = Sampah menumpuk atau belum diangkut
lapor_infrastruktur-jenis-pohon_tumbang = Pohon tumbang
lapor_infrastruktur-jenis-pohon_rawan = Pohon perlu dipangkas atau ditebang
lapor_infrastruktur-jenis-lainnya = Lainnya
lapor_infrastruktur-foto =
    Mohon kirim satu foto yang jelas dari kerusakan atau masalah tersebut.
    Usahakan foto diambil dari dekat dan tidak buram.
    .label = Foto
lapor_infrastruktur-lokasi =
    Mohon kirim lokasi tempat tersebut: tekan tombol lampiran (ikon klip), pilih Lokasi, lalu kirim lokasi saat ini atau geser penanda ke tempatnya. Bila tidak bisa, ketik alamatnya (jalan, RT, desa).
    .label = Lokasi
lapor_infrastruktur-patokan =
    Mohon ketik patokan di dekat lokasi agar petugas mudah menemukannya.
    Contoh: *Depan Masjid Al-Ikhlas, dekat pasar, RT 05*.
    .label = Patokan
lapor_infrastruktur-bahaya =
    Seberapa berbahaya keadaan ini? Mohon ketik nomor pilihan.
    - Ringan: mengganggu, tetapi belum berbahaya.
    - Sedang: menyulitkan pengguna jalan atau warga.
    - Membahayakan: dapat menimbulkan kecelakaan atau korban.
    Bila sudah ada korban atau bahaya saat ini, segera telepon *112*.
    .label = Tingkat bahaya
lapor_infrastruktur-bahaya-ringan = Ringan
lapor_infrastruktur-bahaya-sedang = Sedang
lapor_infrastruktur-bahaya-membahayakan = Membahayakan
lapor_infrastruktur-ringkasan = Mohon periksa kembali laporan berikut:
